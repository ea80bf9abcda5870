import io.tfew.core.bench.RandomCheckpointWriter;
import io.tfew.core.bench.RandomModels;
import io.tfew.core.tokenize.WordLevelTokenizerWriter;
import java.nio.file.*;
import java.util.*;

public class Gen {
  public static void main(String[] a) throws Exception {
    Path dir = Path.of(a[0]);
    Files.createDirectories(dir.resolve("model"));
    List<String> words = new ArrayList<>();
    for (int i = 3; i < 1000; i++) words.add("w" + i);
    WordLevelTokenizerWriter.write(dir.resolve("model/tokenizer.json"), words);
    RandomCheckpointWriter.write(RandomModels.t5Base(), dir.resolve("model"), 1L);
    SplittableRandom r = new SplittableRandom(7);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 32; i++) {
      List<String> input = new ArrayList<>();
      for (int t = 0; t < 63; t++) input.add("w" + (10 + r.nextInt(900)));
      sb.append("{\"input\": \"").append(String.join(" ", input))
          .append("\", \"choices\": [\"w3 w7\", \"w4 w8\"], \"label\": ").append(i % 2).append("}\n");
    }
    Files.writeString(dir.resolve("train.jsonl"), sb.toString());
  }
}
