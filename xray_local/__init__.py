"""``board xray``: a local X-Ray daemon, its API subset and a web console.

What it serves is described in the README, "Local X-Ray daemon and console".
"""
