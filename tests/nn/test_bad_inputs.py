"""Bad arguments to pinnrwf.nn fail when the object is made, with a ValueError naming the parameter.

One table: (description, call, expected exception, fragment of its message). A new option gets
a case by adding a row.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pinnrwf.nn import (
    ACTIVATIONS,
    MLP,
    RWF,
    AdaptiveActivation,
    DeepONet,
    FourierFeatures,
    GlorotNormal,
    Linear,
    LogNormal,
    LogUniform,
    ModifiedDeepONet,
    ModifiedMLP,
    Normal,
    OutputTransform,
    PeriodicEmbedding,
    Plain,
    PositionalEncoding,
    SirenScale,
    SirenUniform,
    Uniform,
    WeightConditioning,
    parse_parameterizations,
    siren,
)

K = jax.random.PRNGKey(0)

CASES = [
    # scale distributions and parameterizations (hyper-parameters, checked when made)
    ("rwf negative std", lambda: RWF(std=-0.1), ValueError, "std must be ≥ 0, got -0.1"),
    ("rwf nan mean", lambda: RWF(mean=float("nan")), ValueError, "mean must be a finite number"),
    ("rwf string mean", lambda: RWF(mean="1"), ValueError, "mean must be a finite number, got '1'"),
    ("rwf exp(s) overflows float32", lambda: RWF(mean=100.0), ValueError, "|mean| + 6·std ≤ 44.4"),
    ("rwf exp(s) underflows float32", lambda: RWF(mean=-30.0, std=3.0), ValueError, "overflows"),
    (
        "rwf ablation with zero scale",
        lambda: RWF(mean=0.0, std=0.0, exponential=False),
        ValueError,
        "s = 0 divides by zero",
    ),
    (
        "rwf distribution and mean",
        lambda: RWF(mean=2.0, distribution=LogNormal()),
        ValueError,
        "either mean/std or distribution",
    ),
    (
        "rwf distribution not one",
        lambda: RWF(distribution="normal"),
        ValueError,
        "distribution must be a pinnrwf.nn scale distribution",
    ),
    ("rwf exponential not a bool", lambda: RWF(exponential=1), ValueError, "exponential must be True or False"),
    ("rwf lognormal beyond float32", lambda: RWF(distribution=LogNormal(mean=5.0)), ValueError, "(distribution)"),
    ("normal infinite std", lambda: Normal(std=float("inf")), ValueError, "std must be a finite number"),
    ("uniform empty", lambda: Uniform(1.0, 0.5), ValueError, "high must be > low"),
    ("loguniform negative", lambda: LogUniform(-1.0, 2.0), ValueError, "low must be > 0"),
    ("aa zero scale", lambda: AdaptiveActivation(scale=0.0), ValueError, "scale must be > 0"),
    (
        "aa scale below float32",
        lambda: AdaptiveActivation(scale=1e-45),
        ValueError,
        "scale must be a normal float32 number",
    ),
    ("aa nan init", lambda: AdaptiveActivation(init=float("nan")), ValueError, "init must be a finite number"),
    ("wc unknown mode", lambda: WeightConditioning("diag"), ValueError, "mode must be one of 'row', 'col', 'both'"),
    ("siren zero omega0", lambda: SirenScale(0.0), ValueError, "omega0 must be > 0"),
    ("siren init negative omega0", lambda: SirenUniform(omega0=-1.0), ValueError, "omega0 must be > 0"),
    # layers
    ("linear zero in_size", lambda: Linear(0, 3, key=K), ValueError, "in_size must be ≥ 1, got 0"),
    ("linear float out_size", lambda: Linear(3, 2.0, key=K), ValueError, "out_size must be an integer, got 2.0"),
    ("linear bool in_size", lambda: Linear(True, 2, key=K), ValueError, "in_size must be an integer, got True"),
    (
        "linear parameterization by name",
        lambda: Linear(3, 3, "rwf", key=K),
        ValueError,
        "parameterization must be a pinnrwf.nn parameterization",
    ),
    (
        "linear initializer by name",
        lambda: Linear(3, 3, initializer="glorot", key=K),
        ValueError,
        "initializer must be a pinnrwf.nn initializer",
    ),
    ("linear wrong input", lambda: Linear(3, 2, key=K)(jnp.ones(2)), ValueError, "shape (3,)"),
    # networks
    ("mlp zero width", lambda: MLP(2, 1, 0, 3, key=K), ValueError, "width must be ≥ 1"),
    ("mlp zero depth", lambda: MLP(2, 1, 8, 0, key=K), ValueError, "depth must be ≥ 1"),
    (
        "mlp parameterization sequence too short",
        lambda: MLP(2, 1, 8, 2, [Plain(), RWF()], key=K),
        ValueError,
        "one entry per dense layer (3)",
    ),
    (
        "mlp parameterization by name",
        lambda: MLP(2, 1, 8, 2, "rwf", key=K),
        ValueError,
        "parameterization must be a pinnrwf.nn parameterization",
    ),
    (
        "mlp bad entry of the sequence",
        lambda: MLP(2, 1, 8, 2, [Plain(), "rwf", Plain()], key=K),
        ValueError,
        "parameterization[1] must be",
    ),
    (
        "mlp unknown activation name",
        lambda: MLP(2, 1, 8, 2, activation="tanhh", key=K),
        ValueError,
        "activation must be a callable or one of 'tanh'",
    ),
    (
        "mlp activation not callable",
        lambda: MLP(2, 1, 8, 2, activation=3, key=K),
        ValueError,
        "activation must be a callable",
    ),
    (
        "mlp initializer entry",
        lambda: MLP(2, 1, 8, 1, initializers=[GlorotNormal(), "x"], key=K),
        ValueError,
        "initializers[1] must be a pinnrwf.nn initializer",
    ),
    (
        "mlp initializers count",
        lambda: MLP(2, 1, 8, 2, initializers=[GlorotNormal()], key=K),
        ValueError,
        "initializers must have 3 entries",
    ),
    (
        "mlp embedding size",
        lambda: MLP(2, 1, 4, 1, embedding=PeriodicEmbedding(3, (0,), (1.0,)), key=K),
        ValueError,
        "embedding.in_size (3) must equal in_size (2)",
    ),
    (
        "mlp embedding not one",
        lambda: MLP(2, 1, 4, 1, embedding="fourier", key=K),
        ValueError,
        "embedding must be a pinnrwf.nn embedding",
    ),
    ("mlp wrong input", lambda: MLP(2, 1, 8, 2, key=K)(jnp.ones(3)), ValueError, "shape (2,)"),
    (
        "modified mlp unknown activation",
        lambda: ModifiedMLP(2, 1, 8, 2, activation="nope", key=K),
        ValueError,
        "activation must be",
    ),
    ("siren zero depth", lambda: siren(2, 1, 8, 0, key=K), ValueError, "depth must be ≥ 1"),
    (
        "deeponet branch size",
        lambda: DeepONet(3, 1, 4, 4, 1, branch=MLP(3, 5, 4, 1, key=K), key=K),
        ValueError,
        "branch must map (3,) sensor values to (4,)",
    ),
    (
        "deeponet branch not callable",
        lambda: DeepONet(3, 1, 4, 4, 1, branch="cnn", key=K),
        ValueError,
        "branch must be a callable",
    ),
    ("deeponet latent not divisible", lambda: DeepONet(3, 1, 5, 4, 1, num_outputs=2, key=K), ValueError, "divisible"),
    (
        "deeponet activation name",
        lambda: DeepONet(3, 1, 4, 4, 1, activation="tahn", key=K),
        ValueError,
        "activation must be",
    ),
    (
        "deeponet wrong trunk input",
        lambda: DeepONet(3, 1, 4, 4, 1, key=K)(jnp.ones(3), jnp.ones(2)),
        ValueError,
        "DeepONet trunk (query point y) expects one example of shape (1,), got (2,)",
    ),
    (
        "deeponet wrong branch input",
        lambda: DeepONet(10, 1, 4, 4, 1, key=K)(jnp.ones(3), jnp.ones(1)),
        ValueError,
        "DeepONet branch (sensor values a) expects one example of shape (10,), got (3,)",
    ),
    (
        "modified deeponet wrong branch input",
        lambda: ModifiedDeepONet(3, 2, 4, 2, key=K)(jnp.ones(4), jnp.ones(2)),
        ValueError,
        "ModifiedDeepONet branch (sensor values a) expects one example of shape (3,)",
    ),
    (
        "modified deeponet width not divisible",
        lambda: ModifiedDeepONet(3, 2, 10, 2, num_outputs=3, key=K),
        ValueError,
        "width (10) must be divisible by num_outputs (3)",
    ),
    (
        "modified deeponet zero outputs",
        lambda: ModifiedDeepONet(3, 2, 4, 2, num_outputs=0, key=K),
        ValueError,
        "num_outputs must be ≥ 1",
    ),
    (
        "output transform of one argument",
        lambda: OutputTransform(MLP(2, 1, 4, 1, key=K), lambda u: 2 * u),
        ValueError,
        "OutputTransform: transform must take two arguments, transform(x, u) -> u'",
    ),
    # embeddings
    ("periodic axis out of range", lambda: PeriodicEmbedding(2, (2,), (1.0,)), ValueError, "axes[0] must be ≤ 1"),
    (
        "periodic axis not an integer",
        lambda: PeriodicEmbedding(2, (0.5,), (1.0,)),
        ValueError,
        "axes[0] must be an integer",
    ),
    ("periodic negative period", lambda: PeriodicEmbedding(2, (0,), (-1.0,)), ValueError, "periods[0] must be > 0"),
    ("periodic repeated axis", lambda: PeriodicEmbedding(2, (0, 0), (1.0, 2.0)), ValueError, "distinct"),
    ("fourier negative scale", lambda: FourierFeatures(2, 8, -1.0, key=K), ValueError, "scale must be > 0"),
    ("fourier zero features", lambda: FourierFeatures(2, 0, 1.0, key=K), ValueError, "num_features must be ≥ 1"),
    ("positional scale string", lambda: PositionalEncoding(2, 4, "10"), ValueError, "scale must be a finite number"),
    # command-line names
    (
        "unknown parameterization name",
        lambda: parse_parameterizations("plain,rwff"),
        ValueError,
        "unknown parameterization 'rwff' in --param",
    ),
    ("empty parameterization list", lambda: parse_parameterizations(" , "), ValueError, "at least one"),
    ("parameterization listed twice", lambda: parse_parameterizations("rwf,rwf"), ValueError, "twice"),
    (
        "rwf setting not an RWF",
        lambda: parse_parameterizations("rwf", rwf=Plain()),
        ValueError,
        "rwf must be a pinnrwf.nn.RWF",
    ),
]


@pytest.mark.parametrize("description, call, error, fragment", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_rejected_with_a_clear_message(description, call, error, fragment):
    with pytest.raises(error) as info:
        call()
    assert fragment in str(info.value), str(info.value)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_names_are_accepted(name):
    x = jnp.array([0.3, -0.7])
    by_name = MLP(2, 1, 8, 2, activation=name, key=K)(x)
    np.testing.assert_array_equal(by_name, MLP(2, 1, 8, 2, activation=ACTIVATIONS[name], key=K)(x))


def test_non_finite_initial_weights_are_refused_when_the_layer_is_built():
    """A parameterization whose weights come out non-finite is caught eagerly (outside jit)."""

    class Exploding(Plain):
        def make_weight(self, w0, *, key):
            return super().make_weight(w0 / 0.0, key=key)

    with pytest.raises(ValueError, match="non-finite initial weights for a layer of in_size 3, out_size 2"):
        Linear(3, 2, Exploding(), key=K)
    # under a transformation the values are not known: the hyper-parameter checks cover that case
    jax.eval_shape(lambda k: Linear(3, 2, Exploding(), key=k), K)
