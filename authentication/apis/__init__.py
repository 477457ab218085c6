"""Thin views of the authentication app: parse input, call one service or selector, render."""
