/// Common English words (lower case, ASCII, 2–10 letters) for the `words` text kind.
///
/// A fixed, embedded list: generated text must not change when a system dictionary does.
enum CommonWords {
    static let all: [String] = """
        about above across action after again against age agree air all almost alone along
        already also always among amount and animal answer any appear apple area arm army
        around arrive art ask away baby back bad bag ball bank base basket bear beat beauty
        become bed before begin behind believe bell below best better between big bird black
        blood blue board boat body bone book born both bottom box boy bread break bright
        bring brother brown build burn busy buy call camp can capital car card care carry
        case cat catch cause cell center chair chance change charge check child choose church
        circle city class clean clear climb clock close cloud coast coat cold color column
        come common corner cost cotton could count country course cover cow create crop cross
        crowd cry current cut dance danger dark day dead deal dear decide deep desert design
        develop die differ dinner direct distant doctor does dog dollar door double down draw
        dream dress drink drive drop dry during each early earth east easy eat edge effect
        egg eight either electric else end enemy energy engine enough enter equal even
        evening event ever every exact example except excite expect experience eye face fact
        fair fall family famous far farm fast father fear feel field fight figure fill final
        find fine finger finish fire first fish five floor flower fly follow food foot forest
        forget form forward four free fresh friend from front fruit full game garden gas
        gather gentle get girl give glad glass gold good govern grass great green ground
        group grow guess guide hair half hand happen happy hard hat have head hear heart heat
        heavy help here high hill history hold hole home hope horse hot hour house huge human
        hunt idea inch island join jump just keep kind king kitchen knife know lady lake land
        large last late laugh lead learn leave left letter level light line liquid list listen
        little live long look lost loud love low machine main make many map mark market
        matter meat meet melody metal middle might mile milk mind minute miss modern moment
        money month moon morning mother motion mountain mouth move music name nation nature
        near neck need never new next night noise north note notice number ocean offer office
        often old open orange order other outside over page paint paper park part party pass
        past path pattern people perhaps person picture piece place plain plan plant play
        please plenty pocket point poor position possible pound power present press pretty
        print problem produce proper pull push quick quiet quite race radio rain reach read
        ready real reason record red region remember repeat report rest result rich ride
        right ring river road rock roll room root rope rose round row rule run safe sail salt
        same sand save say school science score sea season seat second seed seem sell send
        sense serve settle seven shape share sharp sheet shell ship shoe shop short shoulder
        show side sign silent silver simple since sing single sister size skill skin sky
        sleep slow small smell smile snow soft soil soldier solve some song soon sound south
        space speak special speed spell spend spring square stand star start station stay
        steam steel step stick still stone stood stop store story straight strange stream
        street strong student study subject sugar summer sun supply sure surface swim system
        table tail take talk tall teach team tell test thank thick thin think third thousand
        three through tiny tire together tomorrow tone tool total touch toward town track
        trade train travel tree triangle trip trouble truck true try tube turn twelve twenty
        type under unit until upon usual valley value village visit voice vowel wait walk
        wall warm wash watch water wave weather week weight west wheel where white whole wide
        wife wild will wind window winter wire wish woman wonder wood word work world write
        yard year yellow young
        """.split(whereSeparator: { $0.isWhitespace }).map(String.init)
}
