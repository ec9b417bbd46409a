"""The facilities area's models, a module per register: sites and buildings first, since every
other register (keys, alarms, cameras, fire protection) hangs off one of them."""

from .cameras import Camera, CameraSurveillance, CameraThinning, Conclusion, InterestAssessment
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
    "POSTAL_CODE",
    "Building",
    "BuildingQuerySet",
    "Camera",
    "CameraSurveillance",
    "CameraThinning",
    "Conclusion",
    "InterestAssessment",
    "Site",
    "SiteKind",
    "SiteQuerySet",
    "normalise_postal_code",
    "validate_postal_code",
]
