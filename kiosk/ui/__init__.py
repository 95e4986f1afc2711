"""The Tk shell: theme, screens, toolbar; presenters testable without Tk."""
