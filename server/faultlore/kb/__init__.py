"""The knowledge base: signature records, how they load, and how they are checked."""

from faultlore.kb.loader import (
    bundled_path,
    check_text,
    default_sources,
    load_knowledge_base,
    read_source,
    user_path,
)
from faultlore.kb.model import (
    DeadEnd,
    KnowledgeBase,
    Problem,
    Signature,
    Snippet,
    Workaround,
)

__all__ = [
    "DeadEnd",
    "KnowledgeBase",
    "Problem",
    "Signature",
    "Snippet",
    "Workaround",
    "bundled_path",
    "check_text",
    "default_sources",
    "load_knowledge_base",
    "read_source",
    "user_path",
]
