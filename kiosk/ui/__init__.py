"""The Tk shell: theme, screens, the toolbar drawn from items, the document picker."""
