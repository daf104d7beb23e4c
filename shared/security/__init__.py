"""Security plumbing shared by the services (docs/security.md).

- settings: where token keys and checkpoint keys come from;
- tokens: bearer tokens (JWT) verified against configured keys or a JWKS address;
- policy: who may call which operation (each service's own `policy.py` holds the data);
- middleware, wiring: authentication, the role check and one audit record per request;
- audit, chain: the append-only audit log and the hash chains over it and over the events;
- checkpoints: signed chain heads for holders outside the database; replay: the auditor's view.

Import from the modules (`from shared.security.wiring import secure`): this package imports
nothing itself, so that `shared.settings` can build on `shared.security.settings`.
"""
