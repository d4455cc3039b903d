"""Input checks shared by the engine."""

from __future__ import annotations

import numpy as np
import pytest

from glassnet.errors import ValidationError
from glassnet.validation import all_finite, check_array


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_all_finite_agrees_with_isfinite(dtype, rng):
    x = rng.standard_normal((300, 7)).astype(dtype)
    assert all_finite(x)
    for bad in (np.nan, np.inf, -np.inf):
        y = x.copy()
        y[123, 4] = bad
        assert not all_finite(y)
    # finite entries whose sum overflows are still finite
    huge = np.full((50, 3), np.finfo(dtype).max / 2, dtype=dtype)
    with np.errstate(over="ignore"):
        assert not np.isfinite(huge.sum())
    assert all_finite(huge)
    huge[49, 2] = np.nan
    assert not all_finite(huge)
    assert all_finite(np.empty((0, 3), dtype=dtype))


def test_check_array_names_non_finite_input():
    with pytest.raises(ValidationError, match="NaN or infinite"):
        check_array(np.array([[1.0, np.inf]]))
