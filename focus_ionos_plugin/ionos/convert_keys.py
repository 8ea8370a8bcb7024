"""Integer keys for combinations of a few string columns, without one string per row.

Hundreds of thousands of utilization records share a few hundred (data center, meter)
pairs, the key of an invoice line, and a few dozen (meter, resource type, unit) triples.
Encoding each column as a dictionary and combining the indices arithmetically gives every
row a dense code for its combination; the distinct combinations come back as Python tuples
for the few lookups done per combination.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["combination_codes", "pair_codes"]


def combination_codes(*columns: Any) -> tuple[pa.Array, list[tuple[str, ...]]]:
    """Dense int32 code per row of its combination of values, and the combinations by code.

    Nulls count as the empty string.
    """
    encoded = [_encoded(pc.fill_null(column, "")) for column in columns]
    combined = None
    widths = []
    for part in encoded:
        width = max(len(part.dictionary), 1)
        widths.append(width)
        indices = part.indices.cast(pa.int64())
        combined = indices if combined is None else pc.add(pc.multiply(combined, width), indices)
    assert combined is not None
    dense = _encoded(combined)
    names = [part.dictionary.to_pylist() for part in encoded]
    combinations = []
    for code in dense.dictionary.to_pylist():
        values = []
        rest = code
        for width, dictionary in zip(reversed(widths), reversed(names), strict=True):
            rest, index = divmod(rest, width)
            values.append(dictionary[index])
        combinations.append(tuple(reversed(values)))
    return dense.indices, combinations


def pair_codes(vdc_ids: Any, meter_ids: Any) -> tuple[pa.Array, list[tuple[str, str]]]:
    """:func:`combination_codes` of (data center id, meter id): the invoice line key."""
    codes, combinations = combination_codes(vdc_ids, meter_ids)
    return codes, [(vdc, meter) for vdc, meter in combinations]


def _encoded(values: Any) -> pa.DictionaryArray:
    encoded = pc.dictionary_encode(values)
    if isinstance(encoded, pa.ChunkedArray):
        if encoded.num_chunks == 0:
            return pa.DictionaryArray.from_arrays(
                pa.array([], pa.int32()), pa.array([], values.type)
            )
        encoded = encoded.unify_dictionaries().combine_chunks()
    return encoded
