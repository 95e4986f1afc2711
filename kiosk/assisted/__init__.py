"""Assisted mode without a screen: mediators and their PINs, the lockout, unlocking, the journal.

Nothing here imports Tk: the PIN pad, the consent question and the banner only
render what these objects answer.
"""
