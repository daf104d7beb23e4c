"""Adviesvragen: advisory questions from professionals. Never a melding, never counted.

A feature of intake in its own folder: the aggregate (domain), its use cases (application),
its published event (contracts) and its routes (api). It shares intake's event store, so
intake's relay publishes it.
"""
