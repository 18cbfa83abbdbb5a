"""Queries as plain async functions taking a session.

Lookups by parent take a sequence of keys and answer for all of them in one statement whose
text does not depend on how many keys there are (``= ANY(:ids)``), so a batch of one and a
batch of a hundred are the same statement shape.
"""
