"""The editions of the labs in other languages, kept in step with the English source by gettext catalogs.

    python -m editions extract      # the English changed: refresh the templates, merge into every catalog
    python -m editions init LANG    # a new language: its catalogs, every entry still to translate
    python -m editions check [LANG] # what is missing, fuzzy or broken in the catalogs
    python -m editions build [LANG] # notebooks/source/cofi-LANG from the English notebooks and the catalogs
    python -m editions release      # build, then nbgrader generate_assignment for cofi and every cofi-LANG

``make release`` runs the last: every edition built, the learners' notebooks of each generated.
"""
