"""One module per ``trailwatch`` command: its options, and the steps it runs."""
