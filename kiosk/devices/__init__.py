"""Devices of the terminal: printing, scanning, USB keys, hotplug. No Tk here."""
