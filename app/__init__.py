"""ASYE 360: the annual 360-degree organisational evaluation of ASYE programmes."""
