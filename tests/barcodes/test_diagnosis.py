"""Why a photo gave no code, from simple image statistics."""
from __future__ import annotations

import pytest

from bot.barcodes import decode_image, explain_image
from domain.errors import InvalidInput
from domain.scanning import PhotoProblem

from . import photo_problems
from .images import jpeg, page, symbol


@pytest.mark.parametrize("make, problem", [
    (photo_problems.dark, PhotoProblem.DARK),
    (photo_problems.glared, PhotoProblem.GLARE),
    (photo_problems.blurred, PhotoProblem.BLUR),
    (photo_problems.without_code, PhotoProblem.NO_CODE),
])
def test_a_photo_without_a_readable_code_is_explained(make, problem):
    data = make()
    assert decode_image(data) == []  # the decoder really gives up on it
    assert explain_image(data) == problem


def test_a_readable_sharp_well_lit_code_is_none_of_those():
    # asked anyway (as if the decoder had failed), it is no dark, glared or blurred photo
    assert explain_image(jpeg(page(symbol(photo_problems.EAN, "EAN13", scale=4)))) == PhotoProblem.UNREADABLE


def test_not_an_image_is_refused_as_the_decoder_refuses_it():
    with pytest.raises(InvalidInput):
        explain_image(b"not an image")
