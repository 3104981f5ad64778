import numpy as np

from pinnrwf.solvers import darcy
from pinnrwf.solvers.random_fields import darcy_coefficients


def test_second_order_on_manufactured_solution():
    errs = []
    for n in (17, 33, 65):
        a, f, u = darcy.manufactured_solution(n)
        errs.append(np.max(np.abs(darcy.solve(a, f=f) - u)))
    orders = np.log2(np.array(errs[:-1]) / errs[1:])
    assert np.all(np.abs(orders - 2.0) < 0.1), orders


def test_two_layer_coefficient_symmetry_and_ordering():
    # Two layers a = 12 | 3 (a jump at x = 0.5): the solution is symmetric under y ↔ 1 − y,
    # positive, and larger in the less conductive half.
    n = 33
    a = np.where(darcy.grid(n)[:, None] < 0.5, 12.0, 3.0) * np.ones((n, n))
    u = darcy.solve(a)
    np.testing.assert_allclose(u, u[:, ::-1], atol=1e-14)
    assert np.all(u[1:-1, 1:-1] > 0)
    # the stiffer (a = 12) half carries a smaller solution than the a = 3 half
    assert u[n // 4, n // 2] < u[3 * n // 4, n // 2]


def test_constant_coefficient_scales_inversely_and_batched():
    a = darcy_coefficients(33, n_samples=3, seed=1)
    u = darcy.solve(a)
    assert u.shape == (3, 33, 33)
    np.testing.assert_array_equal(u[:, 0], 0.0)
    np.testing.assert_allclose(darcy.solve(a[2]), u[2], atol=1e-15)
    np.testing.assert_allclose(darcy.solve(2.0 * a), 0.5 * u, rtol=1e-12, atol=1e-15)
    # symmetric problem → symmetric solution (transposition)
    one = np.ones((33, 33))
    u1 = darcy.solve(one)
    np.testing.assert_allclose(u1, u1.T, atol=1e-15)
    # the centre value of −Δu = 1 on the unit square is 0.0736713...
    assert abs(u1[16, 16] - 0.07367135328) < 2e-4
