def test_smoke(ids):
    assert ids("name=='Kitty corner'") == [1]
