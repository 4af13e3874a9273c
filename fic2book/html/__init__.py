"""HTML inputs made into trusted book markup: parse, clean, sanitise, by job.

``parse`` decodes and parses, ``prepare`` (pass 1) makes a tree safe and modern, ``images``
embeds or replaces pictures, ``structure`` (pass 2) rebuilds valid blocks and scene breaks,
``clean`` runs them in order, ``sanitize`` is the only place that makes trusted Markup, and
``allowlist`` is the one list of what may pass that both cleaning and sanitising use.
"""
