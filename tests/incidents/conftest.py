import io

import pytest


def jpeg_with_gps(size=(64, 48)) -> bytes:
    """A JPEG as a phone writes it: EXIF with the camera's make and a GPS position."""
    from PIL import Image

    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 15"  # Model
    exif[0x8825] = {1: "N", 2: (62.0, 28.0, 1.5), 3: "E", 4: (13.0, 58.0, 2.0)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture
def photo_bytes():
    return jpeg_with_gps()
