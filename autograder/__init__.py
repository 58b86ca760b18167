"""Checks that tell a learner what is wrong with a graded exercise, and class-scale grading."""
