"""Rainbow's pieces (Hessel et al., 2018) as plain functions, the references of assignment 08.

- :mod:`qlab.rainbow.dueling`: the dueling aggregation Q = V + A − mean_a A;
- :mod:`qlab.rainbow.prioritized`: the sum tree's update and search, priorities and importance weights;
- :mod:`qlab.rainbow.distributional`: the categorical (C51) target projection and its loss;
- :mod:`qlab.rainbow.noisy`: the factorised-Gaussian noisy linear layer's forward pass and init;
- :mod:`qlab.rainbow.networks`: the networks built on them, the noisy linear layer and a Q-network
  with any mix of dueling, noisy and categorical heads.
"""
