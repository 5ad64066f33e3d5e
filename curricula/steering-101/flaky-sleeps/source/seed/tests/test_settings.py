from storefront import settings


def test_defaults_without_a_config_file(monkeypatch):
    monkeypatch.delenv("STOREFRONT_CONFIG", raising=False)
    assert settings.reload().currency == "USD"


def test_config_file_sets_the_currency(tmp_path, monkeypatch):
    config = tmp_path / "storefront.toml"
    config.write_text('currency = "EUR"\n')
    monkeypatch.setenv("STOREFRONT_CONFIG", str(config))
    assert settings.reload().currency == "EUR"
