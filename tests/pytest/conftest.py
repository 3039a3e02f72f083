"""The plugin's own tests run inner pytest sessions through pytester."""

pytest_plugins = ["pytester"]
