"""Receipt files: checked when they are added, and drawn small when a claim is built.

A photo is turned upright from its EXIF orientation, scaled to at most 2000 pixels on its long
side and saved again as JPEG without any metadata: a phone photo's GPS position can point at a
family's home, and a month of full-size photos would make a claim too big to e-mail. A PDF
must open without a password and have at most 20 pages.
"""

from __future__ import annotations

import hashlib
import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import LimitReachedError, PyPdfError

from ..domain.claim import MAX_RECEIPT_BYTES, MAX_RECEIPT_PAGES, PreparedReceipt, ReceiptError

STORED_EDGE = 2000
PRINTED_EDGE = 1000  # about 140 dpi across the A4 receipt box: readable, and a month stays small


def _sniff(data: bytes) -> str:
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:1024].lstrip().startswith(b"%PDF-") or b"%PDF-" in data[:1024]:
        return "pdf"
    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftyphevc"):
        return "heic"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "webp"
    return ""


# A photo decodes to width × height × 4 bytes or so: 40 million pixels is a 160 MB picture, more
# than any phone's JPEG once drafted, and the most a PNG or TIFF receipt may unpack to.
MAX_DECODED_PIXELS = 40_000_000
# A receipt's pages, unpacked, as the claim build reads them: a scanned page is a few MB.
MAX_UNPACKED_PDF = 60 * 1024 * 1024


def prepare_receipt(name: str, data: bytes) -> PreparedReceipt:
    """Check and normalise one receipt. Raises :class:`ReceiptError` with advice."""
    if len(data) > MAX_RECEIPT_BYTES:
        raise ReceiptError(f"“{name}” is {len(data) / 1048576:.0f} MB; a receipt can be at most 25 MB. Take the "
                           "photo again, or scan the receipt at 150 dpi.")
    if not data:
        raise ReceiptError(f"“{name}” is empty. Choose the photo or PDF of the receipt.")
    kind = _sniff(data)
    digest = hashlib.sha256(data).hexdigest()
    if kind == "pdf":
        return PreparedReceipt("application/pdf", data, _pdf_pages(name, data), digest)
    if kind == "heic":
        raise ReceiptError(f"“{name}” is an iPhone HEIC photo, which cannot be read here. Set the camera to "
                           "“Most Compatible” or share the photo as JPEG, then add it again.")
    if kind in ("jpeg", "png", "tiff", "webp"):
        return PreparedReceipt("image/jpeg", normalise_photo(name, data), 1, digest)
    raise ReceiptError(f"“{name}” is not a photo or a PDF. Add a photo of the receipt (JPEG or PNG) or a PDF.")


def _pdf_pages(name: str, data: bytes) -> int:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                raise ReceiptError(f"“{name}” is protected by a password. Open it, print it to a new PDF "
                                   "without a password (or take a photo of it), and add that.")
            pages = len(reader.pages)
            unpacked = 0
            for page in reader.pages:
                _ = page.mediabox
                contents = page.get_contents()  # what the claim build unpacks, each stream capped by pypdf
                unpacked += len(contents.get_data()) if contents is not None else 0
                if unpacked > MAX_UNPACKED_PDF:
                    raise LimitReachedError("unpacked")
    except ReceiptError:
        raise
    except LimitReachedError:
        raise ReceiptError(f"“{name}” holds far more than its pages show once unpacked, so it cannot go on a "
                           "claim. Print it to a new PDF, or take a photo of the receipt, and add that.") from None
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, AttributeError):
        raise ReceiptError(f"“{name}” is a damaged PDF that cannot be opened. Download or scan it again.") from None
    if pages == 0:
        raise ReceiptError(f"“{name}” has no pages.")
    if pages > MAX_RECEIPT_PAGES:
        raise ReceiptError(f"“{name}” has {pages} pages; a receipt can have at most {MAX_RECEIPT_PAGES}. Keep "
                           "just the pages that show the amounts (for a phone bill, the calls).")
    return pages


def _open_image(name: str, data: bytes, edge: int) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            image.draft("RGB", (edge, edge))  # JPEG decodes straight at 1/2, 1/4 or 1/8 scale
            if image.width * image.height > MAX_DECODED_PIXELS:  # after the draft: what load() would hold
                raise ReceiptError(f"“{name}” is a very large image ({image.width} × {image.height} pixels). "
                                   "Save it smaller, or as a JPEG photo, and add it again.")
            image.load()
    except ReceiptError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombWarning,
            Image.DecompressionBombError):
        raise ReceiptError(f"“{name}” is a damaged or unfinished photo that cannot be opened. Take the "
                           "photo again.") from None
    return image


def normalise_photo(name: str, data: bytes, edge: int = STORED_EDGE, quality: int = 85) -> bytes:
    """Upright, at most ``edge`` pixels on the long side, RGB JPEG with no metadata."""
    image = _open_image(name, data, edge)
    try:
        upright = ImageOps.exif_transpose(image) or image
    except (OSError, ValueError, SyntaxError):
        upright = image
    rgb = upright.convert("RGB")
    rgb.thumbnail((edge, edge), Image.Resampling.LANCZOS if max(rgb.size) < 3 * edge else Image.Resampling.BILINEAR)
    out = io.BytesIO()
    rgb.save(out, "JPEG", quality=quality, optimize=True)
    return out.getvalue()


def printed_photo(data: bytes) -> tuple[bytes, int, int]:
    """A stored receipt photo drawn for the claim: (JPEG bytes, width, height)."""
    image = _open_image("receipt", data, PRINTED_EDGE).convert("RGB")
    image.thumbnail((PRINTED_EDGE, PRINTED_EDGE), Image.Resampling.BILINEAR)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70, optimize=True)
    return out.getvalue(), image.width, image.height
