"""Videos and posts on the web that the apps embed, and how each dialect writes them.

- Logseq: ``{{video URL}}`` (what it writes when a video address is pasted: YouTube,
  Vimeo, Bilibili, Loom), ``{{youtube ID-or-URL}}``, ``{{tweet URL}}`` and
  ``{{twitter URL}}`` (what it writes for a pasted post address).
- Obsidian: a YouTube video or a post written as an external image,
  ``![](https://www.youtube.com/watch?v=...)`` (Obsidian Help, "Embed web pages").
"""

from __future__ import annotations

import re
from typing import Literal

WebEmbed = Literal["video", "post"]

_YOUTUBE = re.compile(r"https?://(?:www\.|m\.)?(?:youtube\.com/(?:watch\?|shorts/|embed/)"
                      r"|youtu\.be/)\S+", re.IGNORECASE)
_POST = re.compile(r"https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/\w+/status/\d+\S*",
                   re.IGNORECASE)
_YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
LOGSEQ_MEDIA_MACROS = frozenset({"video", "youtube", "tweet", "twitter", "vimeo", "bilibili"})


def obsidian_web_embed(url: str) -> WebEmbed | None:
    """What Obsidian embeds for an address written as an image: a YouTube video, a
    post, or nothing (an image, then)."""
    if _YOUTUBE.fullmatch(url):
        return "video"
    if _POST.fullmatch(url):
        return "post"
    return None


def logseq_macro_address(name: str, argument: str) -> str | None:
    """The web address a Logseq media macro shows (``{{youtube ID}}`` names a YouTube
    video by its id), or None when its argument is no address."""
    url = argument.strip()
    if name.lower() == "youtube" and _YOUTUBE_ID.fullmatch(url):
        return f"https://www.youtube.com/watch?v={url}"
    return url if re.match(r"https?://", url, re.IGNORECASE) else None
