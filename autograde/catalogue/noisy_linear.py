"""Student-style answers for noisy_linear(x, weight_mu, weight_sigma, bias_mu, bias_sigma, eps_in, eps_out,
training=True) -> y."""

import torch
import torch.nn.functional as F


def _f(eps):
    return eps.sign() * eps.abs().sqrt()


# ---------------------------------------------------------------------------- correct
def with_outer(x, weight_mu, weight_sigma, bias_mu, bias_sigma, eps_in, eps_out, training=True):
    if not training:
        return F.linear(x, weight_mu, bias_mu)
    weight = weight_mu + weight_sigma * torch.outer(_f(eps_out), _f(eps_in))
    bias = bias_mu + bias_sigma * _f(eps_out)
    return F.linear(x, weight, bias)


def with_ger_and_matmul(x, weight_mu, weight_sigma, bias_mu, bias_sigma, eps_in, eps_out, training=True):
    weight, bias = weight_mu, bias_mu
    if training:
        f_in, f_out = _f(eps_in), _f(eps_out)
        weight = weight_mu + weight_sigma * f_out.ger(f_in)
        bias = bias_mu + bias_sigma * f_out
    return x @ weight.T + bias


def f_of_the_product(x, weight_mu, weight_sigma, bias_mu, bias_sigma, eps_in, eps_out, training=True):
    """f(a·b) = f(a)·f(b): applying f to the raw outer product is the same noise."""
    if training:
        eps_w = eps_out.unsqueeze(1) * eps_in.unsqueeze(0)
        weight = weight_mu + weight_sigma * torch.sign(eps_w) * torch.sqrt(torch.abs(eps_w))
        bias = bias_mu + bias_sigma * torch.sign(eps_out) * torch.sqrt(torch.abs(eps_out))
        return torch.matmul(x, weight.t()) + bias
    return torch.matmul(x, weight_mu.t()) + bias_mu


def noise_as_a_separate_term(x, weight_mu, weight_sigma, bias_mu, bias_sigma, eps_in, eps_out, training=True):
    """y = x μᵀ + μ_b + ((x ⊙ f(ε_in)) σᵀ) ⊙ f(ε_out) + σ_b ⊙ f(ε_out): no ε^w formed."""
    y = x @ weight_mu.T + bias_mu
    if not training:
        return y
    f_in, f_out = _f(eps_in), _f(eps_out)
    return y + ((x * f_in) @ weight_sigma.T) * f_out + bias_sigma * f_out


def with_einsum_and_where(x, weight_mu, weight_sigma, bias_mu, bias_sigma, eps_in, eps_out, training=True):
    scale = lambda e: torch.where(e >= 0, e.abs().sqrt(), -e.abs().sqrt())   # noqa: E731
    eps_w = torch.einsum("i,j->ij", scale(eps_out), scale(eps_in)) if training else torch.zeros_like(weight_mu)
    eps_b = scale(eps_out) if training else torch.zeros_like(bias_mu)
    return torch.einsum("bp,qp->bq", x, weight_mu + weight_sigma * eps_w) + bias_mu + bias_sigma * eps_b


def in_float32(x, weight_mu, weight_sigma, bias_mu, bias_sigma, eps_in, eps_out, training=True):
    args = [t.float() for t in (x, weight_mu, weight_sigma, bias_mu, bias_sigma, eps_in, eps_out)]
    return with_outer(*args, training=training)


# ---------------------------------------------------------------------------- wrong
def f_not_applied(x, weight_mu, weight_sigma, bias_mu, bias_sigma, eps_in, eps_out, training=True):
    if not training:
        return F.linear(x, weight_mu, bias_mu)
    return F.linear(x, weight_mu + weight_sigma * torch.outer(eps_out, eps_in), bias_mu + bias_sigma * eps_out)


def f_on_eps_out_only(x, weight_mu, weight_sigma, bias_mu, bias_sigma, eps_in, eps_out, training=True):
    if not training:
        return F.linear(x, weight_mu, bias_mu)
    return F.linear(x, weight_mu + weight_sigma * torch.outer(_f(eps_out), eps_in), bias_mu + bias_sigma * _f(eps_out))


def f_on_eps_in_only(x, weight_mu, weight_sigma, bias_mu, bias_sigma, eps_in, eps_out, training=True):
    if not training:
        return F.linear(x, weight_mu, bias_mu)
    return F.linear(x, weight_mu + weight_sigma * torch.outer(eps_out, _f(eps_in)), bias_mu + bias_sigma * eps_out)


def sqrt_without_sign(x, weight_mu, weight_sigma, bias_mu, bias_sigma, eps_in, eps_out, training=True):
    g = lambda e: e.abs().sqrt()   # noqa: E731
    if not training:
        return F.linear(x, weight_mu, bias_mu)
    return F.linear(x, weight_mu + weight_sigma * torch.outer(g(eps_out), g(eps_in)), bias_mu + bias_sigma * g(eps_out))


def sqrt_of_negative(x, weight_mu, weight_sigma, bias_mu, bias_sigma, eps_in, eps_out, training=True):
    if not training:
        return F.linear(x, weight_mu, bias_mu)
    return F.linear(x, weight_mu + weight_sigma * torch.outer(eps_out.sqrt(), eps_in.sqrt()),
                    bias_mu + bias_sigma * eps_out.sqrt())


def outer_product_transposed(x, weight_mu, weight_sigma, bias_mu, bias_sigma, eps_in, eps_out, training=True):
    """The (p, q) outer product, reshaped to W's (q, p) to make the shapes fit."""
    if not training:
        return F.linear(x, weight_mu, bias_mu)
    q, p = weight_mu.shape
    eps_w = torch.outer(_f(eps_in), _f(eps_out)).reshape(q, p)
    return F.linear(x, weight_mu + weight_sigma * eps_w, bias_mu + bias_sigma * _f(eps_out))


def bias_noise_from_eps_in(x, weight_mu, weight_sigma, bias_mu, bias_sigma, eps_in, eps_out, training=True):
    if not training:
        return F.linear(x, weight_mu, bias_mu)
    weight = weight_mu + weight_sigma * torch.outer(_f(eps_out), _f(eps_in))
    return F.linear(x, weight, bias_mu + bias_sigma * _f(eps_in))


def no_bias_noise(x, weight_mu, weight_sigma, bias_mu, bias_sigma, eps_in, eps_out, training=True):
    if not training:
        return F.linear(x, weight_mu, bias_mu)
    return F.linear(x, weight_mu + weight_sigma * torch.outer(_f(eps_out), _f(eps_in)), bias_mu)


def sigma_ignored(x, weight_mu, weight_sigma, bias_mu, bias_sigma, eps_in, eps_out, training=True):
    if not training:
        return F.linear(x, weight_mu, bias_mu)
    return F.linear(x, weight_mu + torch.outer(_f(eps_out), _f(eps_in)), bias_mu + _f(eps_out))


def noise_in_eval(x, weight_mu, weight_sigma, bias_mu, bias_sigma, eps_in, eps_out, training=True):
    weight = weight_mu + weight_sigma * torch.outer(_f(eps_out), _f(eps_in))
    return F.linear(x, weight, bias_mu + bias_sigma * _f(eps_out))


def training_inverted(x, weight_mu, weight_sigma, bias_mu, bias_sigma, eps_in, eps_out, training=True):
    if training:
        return F.linear(x, weight_mu, bias_mu)
    return noise_in_eval(x, weight_mu, weight_sigma, bias_mu, bias_sigma, eps_in, eps_out)


def x_times_w(x, weight_mu, weight_sigma, bias_mu, bias_sigma, eps_in, eps_out, training=True):
    weight, bias = weight_mu, bias_mu
    if training:
        weight = weight_mu + weight_sigma * torch.outer(_f(eps_out), _f(eps_in))
        bias = bias_mu + bias_sigma * _f(eps_out)
    return x @ weight + bias


def under_no_grad(x, weight_mu, weight_sigma, bias_mu, bias_sigma, eps_in, eps_out, training=True):
    with torch.no_grad():
        return with_outer(x, weight_mu, weight_sigma, bias_mu, bias_sigma, eps_in, eps_out, training)


def sigma_detached(x, weight_mu, weight_sigma, bias_mu, bias_sigma, eps_in, eps_out, training=True):
    return with_outer(x, weight_mu, weight_sigma.detach(), bias_mu, bias_sigma.detach(), eps_in, eps_out, training)


def scales_eps_in_place(x, weight_mu, weight_sigma, bias_mu, bias_sigma, eps_in, eps_out, training=True):
    if training:
        eps_in.copy_(_f(eps_in))
        eps_out.copy_(_f(eps_out))
        return F.linear(x, weight_mu + weight_sigma * torch.outer(eps_out, eps_in), bias_mu + bias_sigma * eps_out)
    return F.linear(x, weight_mu, bias_mu)


CORRECT = [with_outer, with_ger_and_matmul, f_of_the_product, noise_as_a_separate_term, with_einsum_and_where,
           in_float32]
WRONG = {
    f_not_applied: "f is not applied",
    f_on_eps_out_only: "f is applied to ε_out only",
    f_on_eps_in_only: "f is applied to ε_in only",
    sqrt_without_sign: "f drops the sign",
    sqrt_of_negative: "sqrt(ε) of negative draws",
    outer_product_transposed: "the outer product is transposed",
    bias_noise_from_eps_in: "the bias noise uses ε_in",
    no_bias_noise: "the bias gets no noise",
    sigma_ignored: "σ does not scale the noise",
    noise_in_eval: "it adds noise in evaluation",
    training_inverted: "the training flag is inverted",
    x_times_w: "x W, not x Wᵀ",
    under_no_grad: "y carries no gradient",
    sigma_detached: "no gradient reached weight_sigma",
    scales_eps_in_place: "changed its argument `eps_in` in place",
}

# The wrong answers whose mistake the notebook's text names (08, the noisy layer: _f(ε) =
# sign(ε)·sqrt|ε| on both factors, the (q, p) outer product _f(ε_out) _f(ε_in)ᵀ, the bias's _f(ε_out),
# no noise in evaluation, gradients into μ and σ).
NAMED_IN_TEXT = {
    f_not_applied, f_on_eps_out_only, f_on_eps_in_only, sqrt_without_sign, outer_product_transposed,
    bias_noise_from_eps_in, noise_in_eval, sigma_detached,
}
