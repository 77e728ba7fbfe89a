"""Named inline-SVG icons (24x24, stroked) for generated pages, with the phrases people use for them.

An icon element has no text, so grounding it needs the picture: this is what makes ScreenSpot's
"icon" cells harder than its "text" cells, here as in the real data.
"""

from __future__ import annotations

# name -> (SVG body in a 24x24 viewBox, instruction phrases)
ICONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "search": ('<circle cx="10" cy="10" r="6"/><line x1="14.5" y1="14.5" x2="21" y2="21"/>',
               ("search", "open the search")),
    "settings": ('<circle cx="12" cy="12" r="3.5"/><path d="M12 2v4M12 18v4M2 12h4M18 12h4M4.9 4.9l2.8 2.8'
                 'M16.3 16.3l2.8 2.8M4.9 19.1l2.8-2.8M16.3 7.7l2.8-2.8"/>', ("open settings", "settings")),
    "home": ('<path d="M3 11l9-8 9 8"/><path d="M5 10v10h14V10"/><rect x="10" y="14" width="4" height="6"/>',
             ("go home", "home page")),
    "user": ('<circle cx="12" cy="8" r="4"/><path d="M4 21c0-4.4 3.6-7 8-7s8 2.6 8 7"/>',
             ("open my profile", "account")),
    "cart": ('<path d="M2 3h3l3 12h11l2-8H7"/><circle cx="10" cy="19.5" r="1.5"/><circle cx="17" cy="19.5" r="1.5"/>',
             ("view the shopping cart", "cart")),
    "heart": ('<path d="M12 20s-8-5.2-8-10.5A4.5 4.5 0 0 1 12 7a4.5 4.5 0 0 1 8 2.5C20 14.8 12 20 12 20z"/>',
              ("like this", "add to favourites")),
    "star": ('<polygon points="12,2.5 14.9,8.7 21.5,9.4 16.5,13.9 17.9,20.5 12,17.1 6.1,20.5 7.5,13.9 2.5,9.4 '
             '9.1,8.7"/>', ("rate with a star", "star this item")),
    "bell": ('<path d="M6 16V11a6 6 0 0 1 12 0v5l2 2H4z"/><path d="M10 20a2 2 0 0 0 4 0"/>',
             ("show notifications", "notifications")),
    "mail": ('<rect x="3" y="5" width="18" height="14" rx="1"/><path d="M3 6l9 7 9-7"/>',
             ("open messages", "email")),
    "trash": ('<path d="M4 6h16M9 6V3h6v3M6 6l1 15h10l1-15"/><path d="M10 10v7M14 10v7"/>',
              ("delete", "move to trash")),
    "edit": ('<path d="M4 20l1-5L16 4l4 4L9 19z"/><path d="M14 6l4 4"/>', ("edit", "rename")),
    "close": ('<path d="M5 5l14 14M19 5L5 19"/>', ("close", "dismiss")),
    "menu": ('<path d="M3 6h18M3 12h18M3 18h18"/>', ("open the menu", "show navigation")),
    "plus": ('<path d="M12 4v16M4 12h16"/>', ("add a new item", "create")),
    "share": ('<circle cx="6" cy="12" r="2.5"/><circle cx="18" cy="5" r="2.5"/><circle cx="18" cy="19" r="2.5"/>'
              '<path d="M8.2 10.8l7.6-4.6M8.2 13.2l7.6 4.6"/>', ("share", "share this")),
    "download": ('<path d="M12 3v12M7 10l5 5 5-5M4 20h16"/>', ("download", "save a copy")),
    "play": ('<polygon points="7,4 20,12 7,20"/>', ("play", "start playback")),
    "calendar": ('<rect x="3" y="5" width="18" height="16" rx="1"/><path d="M3 10h18M8 3v4M16 3v4"/>',
                 ("open the calendar", "pick a date")),
    "camera": ('<path d="M3 8h4l2-3h6l2 3h4v12H3z"/><circle cx="12" cy="13.5" r="4"/>',
               ("take a photo", "camera")),
    "lock": ('<rect x="5" y="11" width="14" height="10" rx="1"/><path d="M8 11V7a4 4 0 0 1 8 0v4"/>',
             ("lock", "privacy")),
    "filter": ('<polygon points="3,4 21,4 14,12.5 14,20 10,18 10,12.5"/>', ("filter the results", "filter")),
    "refresh": ('<path d="M20 12a8 8 0 1 1-2.3-5.7"/><path d="M20 4v5h-5"/>', ("refresh", "reload")),
    "back": ('<path d="M15 4l-8 8 8 8"/>', ("go back", "previous page")),
    "forward": ('<path d="M9 4l8 8-8 8"/>', ("go forward", "next")),
    "info": ('<circle cx="12" cy="12" r="9"/><path d="M12 11v6M12 7.5v.5"/>', ("show info", "details")),
    "check": ('<path d="M4 12.5l5 5L20 6.5"/>', ("confirm", "mark as done")),
    "bookmark": ('<path d="M6 3h12v18l-6-5-6 5z"/>', ("bookmark this", "save for later")),
    "phone": ('<path d="M5 3h4l2 5-2.5 1.5a11 11 0 0 0 6 6L16 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 5a2 2 0 0 1 2-2z"/>',
              ("call", "phone")),
    "chat": ('<path d="M4 4h16v12H9l-5 4z"/>', ("open chat", "comments")),
    "grid": ('<rect x="4" y="4" width="6" height="6"/><rect x="14" y="4" width="6" height="6"/>'
             '<rect x="4" y="14" width="6" height="6"/><rect x="14" y="14" width="6" height="6"/>',
             ("switch to grid view", "apps")),
    "minimize": ('<path d="M5 18h14"/>', ("minimize the window",)),
    "maximize": ('<rect x="5" y="5" width="14" height="14"/>', ("maximize the window",)),
}


def svg(name: str, size: int = 24, color: str = "#333") -> str:
    """The icon as an inline <svg> element."""
    body = ICONS[name][0]
    return (f'<svg width="{size}" height="{size}" viewBox="0 0 24 24" fill="none" stroke="{color}" '
            f'stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">{body}</svg>')
