"""The agenda read model's tables, in verification's own schema.

One row per case, per regieoverleg, per action and per development: small enough that the
agenda for 10,000 cases is a few indexed queries, never a load of every aggregate.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, Index, MetaData, Table, Text, text

from shared.db import positions_table

metadata = MetaData()

#: How far the projection and the consular consumer got (shared plumbing, same schema).
positions = positions_table(metadata)

zaken = Table(
    "agenda_zaken",
    metadata,
    Column("zaak_id", Text, primary_key=True),
    Column("referentie", Text, nullable=False),
    Column("gemeld_op", Date, nullable=False),
    Column("onderwerp", Text, nullable=False),
    Column("land", Text, nullable=False),
    Column("geverifieerd", Boolean, nullable=False, server_default=text("false")),
    Column("afgesloten", Boolean, nullable=False, server_default=text("false")),
    Column("ingetrokken", Boolean, nullable=False, server_default=text("false")),
)

overleggen = Table(
    "agenda_overleggen",
    metadata,
    Column("overleg_id", Text, primary_key=True),
    Column("datum", Date, nullable=False, index=True),
)

acties = Table(
    "agenda_acties",
    metadata,
    Column("actie_id", Text, primary_key=True),
    Column("overleg_id", Text, nullable=False),
    Column("zaak_id", Text, nullable=False, index=True),
    Column("eigenaar", Text, nullable=False),
    Column("omschrijving", Text, nullable=False),
    Column("deadline", Date, nullable=False),
    Column("afgerond_op", Date, nullable=True),
    Index(
        "agenda_acties_open_deadline",
        "deadline",
        postgresql_where=text("afgerond_op IS NULL"),
    ),
)

#: Dated steps of a case (its own and consular's), for "recent developments".
ontwikkelingen = Table(
    "agenda_ontwikkelingen",
    metadata,
    Column("event_id", Text, primary_key=True),
    Column("zaak_id", Text, nullable=False),
    Column("bron", Text, nullable=False),
    Column("soort", Text, nullable=False),
    Column("datum", Date, nullable=False),
    Index("agenda_ontwikkelingen_zaak_datum", "zaak_id", "datum"),
    Index("agenda_ontwikkelingen_datum", "datum"),
)
