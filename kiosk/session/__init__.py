"""One resident's session without Tk: the flow of screens, the controller and its
participants, the session folder, idle tracking, the wipe, stale-session recovery."""
