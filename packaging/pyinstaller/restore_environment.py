"""Runs in the bundle before the kiosk's code: the programs the kiosk starts get
the host's library search path back.

The bundle's launcher puts its own folder first on LD_LIBRARY_PATH (keeping the
caller's value in LD_LIBRARY_PATH_ORIG) and starts itself again, so that the
dynamic loader of this process finds the bundle's libraries; changing the
variable now no longer matters to this process. But every program the kiosk
starts (Chromium, xdotool, xsel, unshare) would inherit it and load the bundle's
copies of libraries built on another system instead of the host's own.
"""

import os

_caller_value = os.environ.pop("LD_LIBRARY_PATH_ORIG", None)
if _caller_value is None:
    os.environ.pop("LD_LIBRARY_PATH", None)
else:
    os.environ["LD_LIBRARY_PATH"] = _caller_value
