import jax
import pytest


@pytest.fixture
def key():
    return jax.random.PRNGKey(0)


@pytest.fixture(autouse=True, scope="module")
def _release_compiled_programs():
    """Drop JAX's compiled programs after each test module: the suite compiles thousands of them
    in one process, and holding them all grows its memory without bound."""
    yield
    jax.clear_caches()
