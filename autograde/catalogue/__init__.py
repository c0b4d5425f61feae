"""Plausible student answers for every graded rule: WRONG ones (each with the words its
diagnosis must contain) and CORRECT ones written in different styles. The project's tests
prove each wrong answer loses points with the right diagnosis and each correct one gets
full marks."""
