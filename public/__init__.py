"""The public face: the office finder and citizens' complaints (no login), and the staff's complaint desk."""
