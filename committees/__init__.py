"""The violations committee: catalogue and penalty ladder, cases, sessions, votes, rulings,
appeals."""
