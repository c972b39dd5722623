"""The dashboard is made of panels that each feature contributes (core imports no feature).

A feature registers a provider with @dashboard_panel(order, roles); the dashboard shows, in order,
the panels of the providers the user's role may see. Each figure in a panel links to its list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core.security import Role


@dataclass
class Panel:
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    width: str = "col-12"


@dataclass(frozen=True)
class _Provider:
    order: int
    roles: frozenset[Role]
    build: Callable[[], Panel | None]


_PROVIDERS: list[_Provider] = []


def dashboard_panel(order: int, roles) -> Callable:
    """Register a function that returns the feature's Panel (or None when it has nothing)."""

    def decorate(build: Callable[[], Panel | None]) -> Callable[[], Panel | None]:
        _PROVIDERS.append(_Provider(order, frozenset(roles), build))
        _PROVIDERS.sort(key=lambda p: p.order)
        return build

    return decorate


def panels_for(role: Role) -> list[Panel]:
    """The panels this role sees, in order."""
    panels = []
    for provider in _PROVIDERS:
        if role in provider.roles:
            panel = provider.build()
            if panel is not None:
                panels.append(panel)
    return panels
