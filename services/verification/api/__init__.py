"""Verification's HTTP API: the routes only translate HTTP to application calls and back."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter

from services.verification.api import regieoverleggen, zaken


def build_router(notify: Callable[[], None]) -> APIRouter:
    """All routes of verification; `notify()` is called after every save."""
    router = APIRouter()
    router.include_router(zaken.build_router(notify))
    router.include_router(regieoverleggen.build_router(notify))
    return router
