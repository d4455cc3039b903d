"""Data: the datasets (generated and bundled), CSV reading, splitting and preprocessing."""

from __future__ import annotations

from .datasets import (
    DATASETS,
    Dataset,
    DatasetInfo,
    Standardizer,
    list_datasets,
    load_csv,
    load_dataset,
    load_features_csv,
    load_pima,
    make_moons,
    standardize,
    toy_xor,
    train_test_split,
)

__all__ = [
    "DATASETS",
    "Dataset",
    "DatasetInfo",
    "Standardizer",
    "list_datasets",
    "load_csv",
    "load_dataset",
    "load_features_csv",
    "load_pima",
    "make_moons",
    "standardize",
    "toy_xor",
    "train_test_split",
]
