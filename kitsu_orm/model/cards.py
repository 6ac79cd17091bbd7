"""Entities as HTML, for Jupyter: one object as a card, a list of them as a table.

Everything shown is what the session already holds (see
:mod:`kitsu_orm.model.labels`): rendering sends no request. A thumbnail is
an ``<img>`` pointing at the server's thumbnail route of the preview, which
the browser fetches (with the Kitsu login it holds), not the library.
Every text from the server is escaped: a name ``<script>`` shows as text.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from .labels import Shown, Unloaded, describe, resolve, title_of
from .relationships import ManyIds, ToOne
from .state import instance_state, loaded_value, related_of

if TYPE_CHECKING:
    from .base import Entity

__all__ = ["entity_html", "table_html", "thumbnail_url", "SECRET_WORDS"]

# Fields never shown, whatever a type declares: a secret has no business in a notebook.
SECRET_WORDS = ("password", "token", "secret", "totp", "otp_", "recovery")
_MAX_LISTED = 12
_STYLE = (
    "<style>.kitsu-orm td,.kitsu-orm th{text-align:left;vertical-align:top;padding:2px 8px}"
    ".kitsu-orm .unloaded{color:#888}</style>"
)


def thumbnail_url(obj: Entity) -> str | None:
    """The URL of the thumbnail of ``obj``'s preview, if it has one (no request)."""
    field = type(obj).__shown__.thumbnail
    session = instance_state(obj).session
    if field is None or session is None:
        return None
    preview_id = loaded_value(obj, field)
    if not isinstance(preview_id, str) or not preview_id:
        return None
    return session.actions.thumbnail_url(preview_id)


def _is_secret(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in SECRET_WORDS)


def _cell(value: Any) -> str:
    """One value as escaped HTML: names for objects, short ids greyed for the unloaded."""
    if value is None:
        return ""
    if isinstance(value, Unloaded):
        return f'<span class="unloaded" title="not loaded">{html.escape(str(value))}</span>'
    if isinstance(value, list):
        shown = [_cell(v) for v in value[:_MAX_LISTED]]
        more = f", … ({len(value)} in all)" if len(value) > _MAX_LISTED else ""
        return ", ".join(shown) + more
    if hasattr(type(value), "__shown__"):  # an entity
        return html.escape(title_of(value) or describe(value))
    if isinstance(value, (dict,)):
        text = json.dumps(value, default=str, ensure_ascii=False, sort_keys=True)
        return f"<code>{html.escape(text)}</code>"
    if isinstance(value, (datetime, date)):
        return html.escape(value.isoformat(sep=" ") if isinstance(value, datetime) else str(value))
    return html.escape(str(value))


def _thumbnail_cell(obj: Entity) -> str:
    url = thumbnail_url(obj)
    if url is None:
        return ""
    return (
        f'<img src="{html.escape(url, quote=True)}" alt="" loading="lazy" style="max-height:48px">'
    )


def _field_rows(obj: Entity) -> list[tuple[str, str]]:
    """``(name, html)`` of the fields loaded; a foreign key reads as its relationship."""
    cls = type(obj)
    # A foreign key, or a field of ids, reads as its relationship: ``sequence: SQ01``.
    by_key = {
        rel.key: rel.name
        for rel in cls.__relationships__.values()
        if isinstance(rel, (ToOne, ManyIds))
    }
    rows: list[tuple[str, str]] = []
    for name in cls.__wire__:
        if _is_secret(name):
            continue
        value = loaded_value(obj, name, Unloaded(None))
        if isinstance(value, Unloaded):
            rows.append((name, '<span class="unloaded">(not loaded)</span>'))
        elif name in by_key and value is not None:
            rows.append((by_key[name], _cell(resolve(obj, by_key[name]))))
        elif value is not None:
            rows.append((name, _cell(value)))
    for name, value in related_of(obj).items():  # to-many lists loaded, by name
        rel = cls.__relationships__.get(name)
        if rel is not None and rel.many and not isinstance(rel, ManyIds) and value is not None:
            rows.append((f"{name} ({len(value)})", _cell(list(value))))
    return rows


def entity_html(obj: Entity) -> str:
    """A card for one object: its label and thumbnail, then its loaded fields
    and relationships by name."""
    rows = "".join(
        f"<tr><th>{html.escape(name)}</th><td>{cell}</td></tr>" for name, cell in _field_rows(obj)
    )
    thumb = _thumbnail_cell(obj)
    return (
        f'{_STYLE}<div class="kitsu-orm"><p><b>{html.escape(describe(obj))}</b></p>'
        f"{thumb}<table>{rows}</table></div>"
    )


def _shared(objs: Sequence[Any]) -> tuple[type, Shown] | None:
    """The type every object shares and what it shows; None for a mixed list."""
    kinds = {type(o) for o in objs}
    if len(kinds) == 1:
        (kind,) = kinds
        shown = getattr(kind, "__shown__", None)
        if isinstance(shown, Shown):
            return kind, shown
    return None


def table_html(objs: Sequence[Any], *, limit: int = 200) -> str:
    """A table of objects: a thumbnail column where the type has previews, then
    the parts its ``__shown__`` declares; other lists show each item's repr."""
    shared = _shared(objs)
    first = list(objs[:limit])
    kind = shared[0] if shared else None
    if shared is None:
        head = "<tr><th>#</th><th>item</th></tr>"
        body = [
            f"<tr><td>{i}</td><td>{html.escape(repr(o))}</td></tr>" for i, o in enumerate(first)
        ]
    else:
        shown = shared[1]
        thumbs = shown.thumbnail is not None
        titles = ["#", *(["preview"] if thumbs else []), *(c.title for c in shown.columns)]
        head = "<tr>" + "".join(f"<th>{html.escape(t)}</th>" for t in titles) + "</tr>"
        body = []
        for i, obj in enumerate(first):
            cells = [str(i), *([_thumbnail_cell(obj)] if thumbs else [])]
            cells += [_cell(c.value(obj)) for c in shown.columns]
            body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    name = kind.__name__ if kind is not None else "item"
    more = f" (the first {limit} shown)" if len(objs) > limit else ""
    caption = f"{len(objs)} {name}{'' if len(objs) == 1 else 's'}{more}"
    return (
        f'{_STYLE}<div class="kitsu-orm"><table><caption>{html.escape(caption)}</caption>'
        f"<thead>{head}</thead><tbody>{''.join(body)}</tbody></table></div>"
    )
