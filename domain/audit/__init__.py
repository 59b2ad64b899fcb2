"""The audit log: who changed which record, when, through which channel, from what to what.

    actor.py     who is acting (set by the entry points: dialogue, webhooks, jobs, CLI)
    subjects.py  which tables are followed and which record a row's change belongs to
    recorder.py  the flush hook's work: objects -> audit rows, in the same transaction
    history.py   "who changed order 1042?": the use case behind /history
"""
from .actor import SYSTEM, Actor, acting_as, actor_of, set_actor  # noqa: F401
from .history import KINDS, History, Item, history, parse_kind  # noqa: F401
from .recorder import Change, plain, record  # noqa: F401
