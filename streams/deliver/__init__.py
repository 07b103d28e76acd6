"""Deliver: batch feed items, send them over HTTP, classify the outcome, retry or dead-letter."""
