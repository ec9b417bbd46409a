"""The facilities area's models, a module per register: sites and buildings first, since every
other register (keys, alarms, cameras, fire protection) hangs off one of them."""

from .alarms import (
    DUE_SOON_DAYS,
    AccessControlSystem,
    AccessReview,
    Alarm,
    AlarmEvent,
    AlarmKind,
)
from .cameras import Camera, CameraSurveillance, CameraThinning, Conclusion, InterestAssessment
from .keys import Key, KeyKind, KeyLoan, KeySystem, KeySystemKind, Lock
from .sites import (
    POSTAL_CODE,
    Building,
    BuildingQuerySet,
    Site,
    SiteKind,
    SiteQuerySet,
    normalise_postal_code,
    validate_postal_code,
)

__all__ = [
    "DUE_SOON_DAYS",
    "POSTAL_CODE",
    "AccessControlSystem",
    "AccessReview",
    "Alarm",
    "AlarmEvent",
    "AlarmKind",
    "Building",
    "BuildingQuerySet",
    "Camera",
    "CameraSurveillance",
    "CameraThinning",
    "Conclusion",
    "InterestAssessment",
    "Key",
    "KeyKind",
    "KeyLoan",
    "KeySystem",
    "KeySystemKind",
    "Lock",
    "Site",
    "SiteKind",
    "SiteQuerySet",
    "normalise_postal_code",
    "validate_postal_code",
]
