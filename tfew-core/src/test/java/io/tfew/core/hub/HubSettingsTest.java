package io.tfew.core.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HubSettingsTest {
  @Test
  void hubCacheBeatsHfHome() {
    HubSettings s = HubSettings.fromEnvironment(Map.of("HF_HUB_CACHE", "/c/hub", "HF_HOME", "/h"));
    assertThat(s.cacheDir()).isEqualTo(Path.of("/c/hub"));
  }

  @Test
  void hfHomeGetsHubSubdirectory() {
    HubSettings s = HubSettings.fromEnvironment(Map.of("HF_HOME", "/h", "XDG_CACHE_HOME", "/x"));
    assertThat(s.cacheDir()).isEqualTo(Path.of("/h/hub"));
  }

  @Test
  void defaultsUnderUserHome() {
    HubSettings s = HubSettings.fromEnvironment(Map.of());
    assertThat(s.cacheDir()).isEqualTo(Paths.get(System.getProperty("user.home"), ".cache", "huggingface", "hub"));
    assertThat(s.endpoint()).isEqualTo(URI.create("https://huggingface.co"));
    assertThat(s.offline()).isFalse();
    assertThat(s.token()).isEmpty();
  }

  @Test
  void blankValuesCountAsUnset() {
    HubSettings s = HubSettings.fromEnvironment(Map.of("HF_HUB_CACHE", " ", "HF_HOME", "/h", "HF_TOKEN", ""));
    assertThat(s.cacheDir()).isEqualTo(Path.of("/h/hub"));
    assertThat(s.token()).isEmpty();
  }

  @Test
  void tildeExpandsToUserHome() {
    HubSettings s = HubSettings.fromEnvironment(Map.of("HF_HOME", "~/hf"));
    assertThat(s.cacheDir()).isEqualTo(Paths.get(System.getProperty("user.home"), "hf", "hub"));
  }

  @Test
  void endpointOfflineAndToken() {
    HubSettings s = HubSettings.fromEnvironment(
        Map.of("HF_ENDPOINT", "https://mirror.example/", "HF_HUB_OFFLINE", "true", "HF_TOKEN", "hf_abc"));
    assertThat(s.endpoint()).isEqualTo(URI.create("https://mirror.example"));
    assertThat(s.offline()).isTrue();
    assertThat(s.token()).contains("hf_abc");
    assertThat(s.toString()).doesNotContain("hf_abc");
  }

  @Test
  void offlineSpellings() {
    for (String v : new String[] {"1", "TRUE", "yes", "On"}) {
      assertThat(HubSettings.fromEnvironment(Map.of("HF_HUB_OFFLINE", v)).offline()).as(v).isTrue();
    }
    for (String v : new String[] {"0", "false", "no"}) {
      assertThat(HubSettings.fromEnvironment(Map.of("HF_HUB_OFFLINE", v)).offline()).as(v).isFalse();
    }
  }

  @Test
  void badEndpoint() {
    assertThatThrownBy(() -> HubSettings.fromEnvironment(Map.of("HF_ENDPOINT", "ftp://x")))
        .isInstanceOf(HubException.class)
        .hasMessageContaining("HF_ENDPOINT");
  }
}
