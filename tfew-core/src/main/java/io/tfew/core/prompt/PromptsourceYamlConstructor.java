package io.tfew.core.prompt;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A {@link SafeConstructor} that also accepts promptsource's two Python tags, {@code !Template}
 * and {@code !TemplateMetadata}, and builds plain maps for them.
 *
 * <p>promptsource writes its templates with PyYAML's object tags, which PyYAML's unsafe loader
 * turns into Python objects. Here nothing is ever instantiated from a tag: the two known tags
 * become maps (and must be on mappings), and every other non-standard tag falls through to
 * SafeConstructor's "could not determine a constructor" error.
 */
final class PromptsourceYamlConstructor extends SafeConstructor {
  static final Tag TEMPLATE = new Tag("!Template");
  static final Tag TEMPLATE_METADATA = new Tag("!TemplateMetadata");

  PromptsourceYamlConstructor(LoaderOptions options) {
    super(options);
    yamlConstructors.put(TEMPLATE, new ConstructTaggedMap());
    yamlConstructors.put(TEMPLATE_METADATA, new ConstructTaggedMap());
  }

  /** Builds a map for a tagged mapping; the tag on a scalar or a list is an error. */
  private final class ConstructTaggedMap extends AbstractConstruct {
    @Override
    public Object construct(Node node) {
      if (!(node instanceof MappingNode mapping)) {
        throw new YAMLException(
            "the tag " + node.getTag() + " must be on a mapping, not a "
                + node.getNodeId() + node.getStartMark());
      }
      return constructMapping(mapping);
    }

    @Override
    public void construct2ndStep(Node node, Object object) {
      // Recursive structures are rejected (allowRecursiveKeys=false, alias limit); nothing to do.
    }
  }
}
