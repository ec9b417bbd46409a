"""Photos of an incident: recognised by their content and stored re-encoded without metadata.

A phone's photo carries its position (GPS), the device and often the owner's name in its
EXIF/XMP metadata; a report about a threat must not spread that. So a photo is decoded with
Pillow (only JPEG, PNG and WebP are accepted, whatever the file is called), turned the way
its orientation tag says, scaled down to at most MAX_SIDE pixels and encoded again from the
pixels alone: nothing of the original file but its picture is kept. The pixel count is
checked before decoding, so a small file that unpacks to a huge image is refused.
"""

import io
import secrets
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

MAX_SIZE = 15 * 1024 * 1024  # bytes of one uploaded photo
MAX_PIXELS = 50_000_000  # decoded width × height
MAX_SIDE = 2560  # the stored photo's longest side
MAX_PHOTOS = 10  # per upload
FORMATS = {"JPEG": ("image/jpeg", ".jpg"), "PNG": ("image/png", ".png"), "WEBP": ("image/webp", ".webp")}
ACCEPT = "image/jpeg,image/png,image/webp"


@dataclass
class CleanPhoto:
    content: ContentFile
    content_type: str
    width: int
    height: int


def clean_photo(uploaded) -> CleanPhoto:
    """The photo re-encoded without metadata, or a ValidationError saying why it is refused."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    name = getattr(uploaded, "name", "") or _("the photo")
    if uploaded.size > MAX_SIZE:
        raise ValidationError(
            _("%(name)s is larger than %(limit)s.") % {"name": name, "limit": filesizeformat(MAX_SIZE)}
        )
    data = uploaded.read()
    try:
        with warnings.catch_warnings():
            # Pillow only warns about an image past its own bomb limit; here that is a refusal.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(FORMATS))
        if image.width * image.height > MAX_PIXELS:
            raise ValidationError(_("%(name)s has too many pixels to be a photo.") % {"name": name})
        source_format = image.format
        image.load()
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise ValidationError(
            _("%(name)s is not a photo Värna can read. Send a JPEG, PNG or WebP picture.") % {"name": name}
        ) from None
    image = ImageOps.exif_transpose(image)
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    if source_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    out = io.BytesIO()
    # Saved from the pixels with no exif=, icc_profile= or pnginfo=: no metadata goes along.
    if source_format == "JPEG":
        image.save(out, "JPEG", quality=85, optimize=True)
    else:
        image.save(out, source_format)
    content_type, extension = FORMATS[source_format]
    return CleanPhoto(
        content=ContentFile(out.getvalue(), name=f"{secrets.token_hex(16)}{extension}"),
        content_type=content_type,
        width=image.width,
        height=image.height,
    )
