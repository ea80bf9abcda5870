package io.tfew.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module tree's layering, checked on the main classes of every module on this module's class path:
 * {@code cli -> experiments -> core -> api}, with plugins (and the plugin test kit) beside them depending on
 * the API only. Maven already refuses a cycle between modules; these rules also catch a dependency that a
 * module's POM allows but the architecture does not, such as a plugin importing the engine through its test
 * scope or a class of the engine reaching up into the research layer.
 */
class ArchitectureTest {
  private static final String API = "io.tfew.api..";
  private static final String CORE = "io.tfew.core..";
  private static final String EXPERIMENTS = "io.tfew.experiments..";
  private static final String CLI = "io.tfew.cli..";
  private static final String TESTKIT = "io.tfew.testkit..";
  private static final String[] PLUGINS = {"io.tfew.peft..", "io.tfew.losses..", "io.tfew.eval.."};

  private static JavaClasses classes;

  @BeforeAll
  static void importMainClasses() {
    // Test classes (this module's, and the test jars of core and experiments on its class path) may reach
    // across layers to set up end-to-end runs; only what ships is held to the layering.
    classes = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .withImportOption(ArchitectureTest::notATestJar)
        .importPackages("io.tfew");
  }

  private static boolean notATestJar(Location location) {
    return !location.contains("-tests.jar") && !location.contains("/test-classes/");
  }

  @Test
  void everyLayerIsImported() {
    // A rule over no classes passes; make sure each layer and each plugin module is really here.
    for (String layer : List.of("io.tfew.api", "io.tfew.core", "io.tfew.experiments", "io.tfew.cli",
        "io.tfew.testkit", "io.tfew.peft.ia3", "io.tfew.peft.lora", "io.tfew.peft.qlora", "io.tfew.peft.prompt",
        "io.tfew.peft.baselines", "io.tfew.losses", "io.tfew.eval")) {
      assertThat(classes.stream().map(JavaClass::getPackageName).filter(p -> p.startsWith(layer)))
          .as("main classes of %s on the class path", layer).isNotEmpty();
    }
  }

  @Test
  void apiDependsOnNothingOfTfew() {
    check(noClasses().that().resideInAPackage(API).should().dependOnClassesThat()
        .resideInAnyPackage(concat(PLUGINS, CORE, EXPERIMENTS, CLI, TESTKIT))
        .because("the SPI is what an outside plugin compiles against, alone"));
  }

  @Test
  void coreIsTheEngineOnly() {
    check(noClasses().that().resideInAPackage(CORE).should().dependOnClassesThat()
        .resideInAnyPackage(concat(PLUGINS, EXPERIMENTS, CLI, TESTKIT))
        .because("a library user embeds the engine without the research layer or the command line, and the "
            + "engine finds plugins through the registry, never by name"));
  }

  @Test
  void experimentsSitBelowTheCommandLine() {
    check(noClasses().that().resideInAPackage(EXPERIMENTS).should().dependOnClassesThat()
        .resideInAnyPackage(concat(PLUGINS, CLI, TESTKIT))
        .because("the research layer is driven by the CLI, not the other way round; recipes name plugins "
            + "by their registered names"));
  }

  @Test
  void pluginsDependOnTheApiOnly() {
    check(noClasses().that().resideInAnyPackage(PLUGINS).should().dependOnClassesThat()
        .resideInAnyPackage(CORE, EXPERIMENTS, CLI, TESTKIT)
        .because("a plugin is built outside this repository against tfew-api alone"));
  }

  @Test
  void pluginModulesDoNotDependOnEachOther() {
    check(slices().matching("io.tfew.(peft.*|losses|eval)..").should().notDependOnEachOther()
        .because("each plugin module is a separate jar a user may leave out"));
  }

  @Test
  void testKitUsesTheEngineNotTheLab() {
    check(noClasses().that().resideInAPackage(TESTKIT).should().dependOnClassesThat()
        .resideInAnyPackage(concat(PLUGINS, EXPERIMENTS, CLI))
        .because("a plugin's tests need the engine and the API, and any one plugin, only its own"));
  }

  @Test
  void aViolationIsReported() {
    // The rules above are only as good as their ability to fail: the CLI does depend on experiments, so the
    // mirror of the experiments rule must report it.
    EvaluationResult result = noClasses().that().resideInAPackage(CLI).should().dependOnClassesThat()
        .resideInAPackage(EXPERIMENTS).evaluate(classes);
    assertThat(result.hasViolation()).isTrue();
  }

  private static void check(ArchRule rule) {
    rule.check(classes);
  }

  private static String[] concat(String[] first, String... rest) {
    String[] all = new String[first.length + rest.length];
    System.arraycopy(first, 0, all, 0, first.length);
    System.arraycopy(rest, 0, all, first.length, rest.length);
    return all;
  }
}
