"""Data: the datasets (generated and bundled), CSV reading, splitting and preprocessing.

==========================  ===============================================================
:func:`load_dataset`        a built-in dataset by name, as a :class:`Dataset`
:data:`DATASETS`            the read-only table of built-in loaders, name → function
:func:`list_datasets`       one :class:`DatasetInfo` per built-in dataset
:func:`load_csv`            a CSV file with a header row, as a :class:`Dataset`
:func:`read_table`          a CSV file with a header row, as a checked pandas DataFrame
:func:`load_features_csv`   the model's feature columns (and the target, if there) of a CSV
:class:`TableEncoder`       a table's raw columns as numbers: one-hot, imputation, checks
:func:`train_test_split`    a (stratified) random split
:func:`expand`              extra input features of 2-D points (x1², x1·x2, sin x1, …)
:class:`Standardizer`       zero mean, unit variance, with statistics that can be saved
==========================  ===============================================================
"""

from __future__ import annotations

from .csvfiles import load_csv, load_features_csv
from .dataset import Dataset
from .datasets import (
    DATASETS,
    DatasetInfo,
    list_datasets,
    load_dataset,
    load_pima,
    make_moons,
    size_and_noise,
    toy_xor,
)
from .features import FEATURES, expand, parse_features
from .preprocessing import Standardizer, standardize, train_test_split
from .reading import MISSING_VALUES, read_table
from .tabular import TableEncoder

__all__ = [
    "DATASETS",
    "FEATURES",
    "MISSING_VALUES",
    "Dataset",
    "DatasetInfo",
    "Standardizer",
    "TableEncoder",
    "expand",
    "list_datasets",
    "load_csv",
    "load_dataset",
    "load_features_csv",
    "load_pima",
    "make_moons",
    "parse_features",
    "read_table",
    "size_and_noise",
    "standardize",
    "toy_xor",
    "train_test_split",
]
