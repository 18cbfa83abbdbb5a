"""`make bench`: speed targets measured side by side in one run, printed as ratios."""
