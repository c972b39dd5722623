"""The demo province (Lorestan, 1401): imports the features; no feature imports it."""
