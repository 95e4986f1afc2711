"""The session browser: Chromium driven over the DevTools protocol pipe. Never imports tkinter."""
