"""The bundle's program: what `kiosk` (the console script) runs, frozen."""

from kiosk.cli import main

raise SystemExit(main())
